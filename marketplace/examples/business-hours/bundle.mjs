// @platform/business-hours: an MCP-style tool, run only in the sandbox. `args` were checked against
// the tool's inputSchema by the platform; `config` is what the tenant set at install. A tool
// answers text (or { content: [{ type: "text", text }], isError } to take charge of the result).
const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
const NAMES = { sun: "Sunday", mon: "Monday", tue: "Tuesday", wed: "Wednesday", thu: "Thursday", fri: "Friday", sat: "Saturday" };

const minutes = (hhmm) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

export const tools = {
  opening_hours: async ({ args, config }) => {
    const at = args.at === undefined ? new Date() : new Date(args.at);
    if (Number.isNaN(at.getTime())) return { content: [{ type: "text", text: `"${args.at}" is not a date and time I can read.` }], isError: true };
    // The business's local wall clock: shift by its offset and read the UTC fields.
    const local = new Date(at.getTime() + (config.utc_offset_minutes ?? 0) * 60_000);
    const day = DAYS[local.getUTCDay()];
    const now = local.getUTCHours() * 60 + local.getUTCMinutes();
    const today = config.hours[day];
    if (today) {
      const [open, close] = today.split("-");
      if (now >= minutes(open) && now < minutes(close)) return `Open now, until ${close} today (${NAMES[day]}).`;
      if (now < minutes(open)) return closed(config, `today (${NAMES[day]}) at ${open}`);
    }
    for (let ahead = 1; ahead <= 7; ahead++) {
      const next = DAYS[(local.getUTCDay() + ahead) % 7];
      const hours = config.hours[next];
      if (hours) return closed(config, `${ahead === 1 ? `tomorrow (${NAMES[next]})` : `on ${NAMES[next]}`} at ${hours.split("-")[0]}`);
    }
    return closed(config, undefined);
  },
};

function closed(config, when) {
  const text = when ? `Closed now; opens ${when}.` : "Closed; no opening hours are set.";
  return config.closed_message ? `${text} ${config.closed_message}` : text;
}
