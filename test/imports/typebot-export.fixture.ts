/**
 * A Typebot export (version 6.1) written by hand from Typebot's public schema, covering each block
 * type the import reads and some it does not. Not a Typebot template: a small bot of our own.
 *
 * Welcome: greeting bubbles, a wait, the name, a greeting set from it, a script (unsupported),
 * email, age, phone, website, visit date and a rating; then a condition on the age.
 * Adults pick a colour (Red has its own path, which jumps to the pets), minors are redirected.
 * Pets: a picture choice, an HTTP request that scores the answers, Score + 1, and goodbye.
 */
const at = { x: 0, y: 0 };
const p = (...children: unknown[]) => ({ type: "p", children });

export function typebotExport(scoreUrl: string, version = "6.1") {
  return {
    version,
    id: "tb_demo",
    name: "Pet survey",
    events: [{ id: "ev_start", type: "start", graphCoordinates: at, outgoingEdgeId: "e_start" }],
    variables: [
      { id: "v_name", name: "Name" },
      { id: "v_email", name: "Email address" },
      { id: "v_age", name: "Age" },
      { id: "v_phone", name: "Phone" },
      { id: "v_site", name: "Website" },
      { id: "v_date", name: "Visit date" },
      { id: "v_rating", name: "Rating" },
      { id: "v_colour", name: "Favourite colour" },
      { id: "v_pet", name: "Pet" },
      { id: "v_score", name: "Score" },
      { id: "v_status", name: "Status code" },
      { id: "v_greeting", name: "Greeting" },
    ],
    groups: [
      {
        id: "g_welcome", title: "Welcome", graphCoordinates: at,
        blocks: [
          { id: "b_hello", type: "text", content: { richText: [p({ text: "Hello! I am the " }, { text: "demo", bold: true }, { text: " bot." })] } },
          { id: "b_logo", type: "image", content: { url: "https://example.com/logo.png", clickLink: { alt: "Our logo" } } },
          { id: "b_wait", type: "Wait", options: { secondsToWaitFor: "1" } },
          { id: "b_video", type: "video", content: { url: "https://example.com/intro.mp4" } },
          { id: "b_audio", type: "audio", content: { url: "https://example.com/hello.mp3" } },
          { id: "b_ask_name", type: "text", content: { richText: [p({ text: "What is your name?" })] } },
          { id: "b_name", type: "text input", options: { variableId: "v_name", labels: { placeholder: "Your name" } } },
          { id: "b_set_greeting", type: "Set variable", options: { variableId: "v_greeting", expressionToEvaluate: "Nice to meet you, {{Name}}" } },
          { id: "b_greet", type: "text", content: { richText: [p({ text: "{{Greeting}}!" })] } },
          { id: "b_score0", type: "Set variable", options: { variableId: "v_score", expressionToEvaluate: "0" } },
          { id: "b_script", type: "Code", options: { name: "Log", content: "console.log('hi')" } },
          { id: "b_ask_email", type: "text", content: { richText: [p({ text: "Your email, " }, { text: "{{Name}}", italic: true }, { text: "?" })] } },
          { id: "b_email", type: "email input", options: { variableId: "v_email", retryMessageContent: "That is not an email." } },
          { id: "b_age", type: "number input", options: { variableId: "v_age", min: 1, max: 120 } },
          { id: "b_phone", type: "phone number input", options: { variableId: "v_phone", retryMessageContent: "That is not a phone number." } },
          { id: "b_site", type: "url input", options: { variableId: "v_site", retryMessageContent: "Please send a full link." } },
          { id: "b_date", type: "date input", options: { variableId: "v_date", min: "2026-01-01" } },
          { id: "b_rating", type: "rating input", options: { variableId: "v_rating", length: 5, startsAt: 1, buttonType: "Numbers" } },
          { id: "b_openai", type: "OpenAI", options: { task: "Create chat completion" } },
          {
            id: "b_age_check", type: "Condition", outgoingEdgeId: "e_minor",
            items: [{ id: "i_adult", outgoingEdgeId: "e_adult", content: { logicalOperator: "AND", comparisons: [
              { id: "c1", variableId: "v_age", comparisonOperator: "Greater or equal to", value: "18" },
              { id: "c2", variableId: "v_name", comparisonOperator: "Is set" },
            ] } }],
          },
        ],
      },
      {
        id: "g_adult", title: "Adults", graphCoordinates: at,
        blocks: [
          { id: "b_adult", type: "text", content: { richText: [p({ text: "You are an adult." })] } },
          { id: "b_ask_colour", type: "text", content: { richText: [p({ text: "Pick a colour" })] } },
          { id: "b_colour", type: "choice input", options: { variableId: "v_colour" }, items: [
            { id: "i_red", content: "Red", outgoingEdgeId: "e_red" },
            { id: "i_blue", content: "Blue" },
          ] },
          { id: "b_blue", type: "text", content: { richText: [p({ text: "Blue is calm." })] }, outgoingEdgeId: "e_blue_pets" },
        ],
      },
      {
        id: "g_red", title: "Red", graphCoordinates: at,
        blocks: [
          { id: "b_red", type: "text", content: { richText: [p({ text: "Red is bold." })] } },
          { id: "b_jump", type: "Jump", options: { groupId: "g_pets" } },
        ],
      },
      {
        id: "g_minor", title: "Minors", graphCoordinates: at,
        blocks: [
          { id: "b_minor", type: "text", content: { plainText: "Ask a grown-up to help you." } },
          { id: "b_redirect", type: "Redirect", options: { url: "https://example.com/parents", isNewTab: true } },
        ],
      },
      {
        id: "g_pets", title: "Pets", graphCoordinates: at,
        blocks: [
          { id: "b_pet", type: "picture choice input", options: { variableId: "v_pet" }, items: [
            { id: "i_cat", title: "Cat", pictureSrc: "https://example.com/cat.png" },
            { id: "i_dog", title: "Dog", pictureSrc: "https://example.com/dog.png" },
          ] },
          { id: "b_hook", type: "Webhook", options: {
            isCustomBody: true,
            webhook: { method: "POST", url: scoreUrl, headers: [{ id: "h1", key: "X-Bot", value: "typebot" }], queryParams: [{ id: "q1", key: "source", value: "{{Pet}}" }], body: "{\"name\": \"{{Name}}\", \"pet\": \"{{Pet}}\"}" },
            responseVariableMapping: [{ id: "m1", variableId: "v_score", bodyPath: "data.score" }, { id: "m2", variableId: "v_status", bodyPath: "statusCode" }],
            timeout: 5,
          } },
          { id: "b_bump", type: "Set variable", options: { variableId: "v_score", expressionToEvaluate: "{{Score}} + 1" } },
          { id: "b_sheets", type: "Google Sheets", options: { action: "Insert a row" } },
          { id: "b_link", type: "Typebot link", options: { typebotId: "other" } },
          { id: "b_bye", type: "text", content: { richText: [p({ text: "Thanks {{Name}}, your score is {{Score}}." })] } },
        ],
      },
      {
        id: "g_unused", title: "Unused", graphCoordinates: at,
        blocks: [
          { id: "b_ab", type: "AB test", items: [{ id: "i_a", outgoingEdgeId: "e_ab_a" }, { id: "i_b" }] },
          { id: "b_chatwoot", type: "Chatwoot", options: {} },
        ],
      },
    ],
    edges: [
      { id: "e_start", from: { eventId: "ev_start" }, to: { groupId: "g_welcome" } },
      { id: "e_adult", from: { blockId: "b_age_check", itemId: "i_adult" }, to: { groupId: "g_adult" } },
      { id: "e_minor", from: { blockId: "b_age_check" }, to: { groupId: "g_minor" } },
      { id: "e_red", from: { blockId: "b_colour", itemId: "i_red" }, to: { groupId: "g_red" } },
      { id: "e_blue_pets", from: { blockId: "b_blue" }, to: { groupId: "g_pets" } },
      { id: "e_ab_a", from: { blockId: "b_ab", itemId: "i_a" }, to: { groupId: "g_pets", blockId: "b_bye" } },
    ],
    theme: {},
    settings: {},
  };
}
