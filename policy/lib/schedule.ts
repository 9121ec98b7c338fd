/**
 * The longest gap, in hours, between two runs of an AWS schedule expression: `rate(6 hours)` or
 * `cron(minutes hours day-of-month month day-of-week year)` as AWS Backup and EventBridge write it.
 * Undefined when the expression is not one this parser reads. For schedules that skip days the
 * result is a lower bound (24).
 */
export function longestIntervalHours(expression: string): number | undefined {
    const text = expression.trim();
    const rate = /^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$/i.exec(text);
    if (rate) {
        const value = Number(rate[1]);
        const unit = rate[2].toLowerCase();
        return unit.startsWith("minute") ? value / 60 : unit.startsWith("hour") ? value : value * 24;
    }
    const cron = /^cron\(\s*(.+?)\s*\)$/i.exec(text);
    if (!cron) {
        return undefined;
    }
    const fields = cron[1].split(/\s+/);
    if (fields.length !== 6) {
        return undefined;
    }
    const [, hoursField, dayOfMonth, month, dayOfWeek] = fields;
    const everyDay = (field: string) => field === "*" || field === "?";
    if (!everyDay(dayOfMonth) || !everyDay(dayOfWeek) || month !== "*") {
        // Some day has no run, so some gap spans a whole day: 24 is a lower bound, enough to judge an "every N hours" rule.
        return 24;
    }
    const hours = expandField(hoursField, 0, 23);
    if (!hours || hours.length === 0) {
        return undefined;
    }
    let longest = 24 - hours[hours.length - 1] + hours[0];
    for (let i = 1; i < hours.length; i++) {
        longest = Math.max(longest, hours[i] - hours[i - 1]);
    }
    return longest;
}

/** The sorted values a cron field selects: "*", "5", "1,7,13", "0-12", "*\/6", "3/6", "0-12/4". */
function expandField(field: string, min: number, max: number): number[] | undefined {
    const values = new Set<number>();
    for (const part of field.split(",")) {
        const match = /^(\*|\d+)(?:-(\d+))?(?:\/(\d+))?$/.exec(part);
        if (!match) {
            return undefined;
        }
        const [, start, end, step] = match;
        const from = start === "*" ? min : Number(start);
        const to = end !== undefined ? Number(end) : start === "*" || step !== undefined ? max : from;
        const by = step !== undefined ? Number(step) : 1;
        if (from < min || to > max || from > to || by < 1) {
            return undefined;
        }
        for (let value = from; value <= to; value += by) {
            values.add(value);
        }
    }
    return [...values].sort((a, b) => a - b);
}
