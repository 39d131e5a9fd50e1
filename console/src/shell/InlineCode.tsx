/**
 * Text from a schema description, where `backticks` mark code (variable paths, `{{scope.path}}`
 * templates, values), as in the OpenAPI document: shown as <code> rather than as raw backticks.
 */
export function InlineCode({ text }: { text: string }) {
  const parts = text.split(/`([^`]+)`/);
  // Odd parts are what stood between a pair of backticks.
  return <>{parts.map((part, i) => (i % 2 === 1 ? <code key={i}>{part}</code> : part))}</>;
}
