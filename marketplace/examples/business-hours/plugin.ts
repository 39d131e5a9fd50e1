/**
 * @platform/business-hours: a tool for agents, in one definePlugin file. `args` were checked
 * against the tool's schema by the platform; `ctx.config` is what the tenant set at install. A
 * tool answers text (or `{ content: [{ type: "text", text }], isError }` to take charge of the result).
 */
import { definePlugin, implementPlugin, z } from "../../../core/sdk/index.ts";

const hhmmRange = z.string().regex(/^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-4]):[0-5][0-9]$/);
const days = { mon: hhmmRange, tue: hhmmRange, wed: hhmmRange, thu: hhmmRange, fri: hhmmRange, sat: hhmmRange, sun: hhmmRange };

export const definition = definePlugin({
  id: "@platform/business-hours",
  version: "1.0.0",
  platform: "^1.0.0",
  kinds: ["tool"],
  description: "An MCP-style tool for agents: whether the business is open at a given moment, and when it next opens, from the weekly hours you configure.",
  category: "productivity",
  config: z.strictObject({
    utc_offset_minutes: z.int().min(-720).max(840).optional().describe("The business's offset from UTC, e.g. 60 for UTC+1"),
    hours: z.strictObject(days).partial().describe("Opening hours per day (mon … sun), e.g. { \"mon\": \"09:00-17:30\" }; a day left out is closed"),
    closed_message: z.string().max(200).optional().describe("Added when closed, e.g. where to leave a message"),
  }),
  tools: {
    opening_hours: {
      description: "Tells whether the business is open at a moment (now when `at` is not given) and, if closed, when it next opens. Use it when someone asks about opening hours or whether they can come by.",
      params: z.strictObject({ at: z.string().optional().describe("An ISO 8601 date and time; now when absent") }),
      readOnly: true,
    },
  },
});

type Day = keyof typeof days;
type Config = { utc_offset_minutes?: number; hours: Partial<Record<Day, string>>; closed_message?: string };
const DAYS: Day[] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
const NAMES: Record<Day, string> = { sun: "Sunday", mon: "Monday", tue: "Tuesday", wed: "Wednesday", thu: "Thursday", fri: "Friday", sat: "Saturday" };
const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

function closed(config: Config, when: string | undefined): string {
  const text = when ? `Closed now; opens ${when}.` : "Closed; no opening hours are set.";
  return config.closed_message ? `${text} ${config.closed_message}` : text;
}

export default implementPlugin(definition, {
  tools: {
    opening_hours(args, ctx) {
      const config = ctx.config as Config;
      const at = args.at === undefined ? new Date() : new Date(args.at);
      if (Number.isNaN(at.getTime())) return { content: [{ type: "text", text: `"${args.at}" is not a date and time I can read.` }], isError: true };
      // The business's local wall clock: shift by its offset and read the UTC fields.
      const local = new Date(at.getTime() + (config.utc_offset_minutes ?? 0) * 60_000);
      const day = DAYS[local.getUTCDay()]!;
      const now = local.getUTCHours() * 60 + local.getUTCMinutes();
      const today = config.hours[day];
      if (today) {
        const [open, close] = today.split("-") as [string, string];
        if (now >= minutes(open) && now < minutes(close)) return `Open now, until ${close} today (${NAMES[day]}).`;
        if (now < minutes(open)) return closed(config, `today (${NAMES[day]}) at ${open}`);
      }
      for (let ahead = 1; ahead <= 7; ahead++) {
        const next = DAYS[(local.getUTCDay() + ahead) % 7]!;
        const hours = config.hours[next];
        if (hours) return closed(config, `${ahead === 1 ? `tomorrow (${NAMES[next]})` : `on ${NAMES[next]}`} at ${hours.split("-")[0]}`);
      }
      return closed(config, undefined);
    },
  },
});
