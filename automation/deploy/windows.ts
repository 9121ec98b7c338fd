import type { ReleaseSettings, Weekday } from "../../config/schema";

// Deployment windows: when a stack may be changed, as local weekday and time ranges in one IANA
// time zone (the Production Deployment Guide's 02:00–04:00 and Saturday 01:00–03:00; the Deployment
// Process's Tuesday–Thursday daytime). The local time comes from Intl, so daylight saving time
// follows the zone's rules in Node's own time zone data.

export type ReleaseWindows = NonNullable<ReleaseSettings["releaseWindows"]>;

export interface WindowCheck {
    inside: boolean;
    /** The moment in the windows' zone, e.g. "Fri 14:05 (Europe/Berlin)". */
    local: string;
    /** The windows, e.g. "mon,tue 02:00–04:00; sat 01:00–03:00 (Europe/Berlin)". */
    windows: string;
}

const WEEKDAY: Record<string, Weekday> = { Mon: "mon", Tue: "tue", Wed: "wed", Thu: "thu", Fri: "fri", Sat: "sat", Sun: "sun" };

/** Weekday and HH:MM of `at` in `timeZone`. */
export function localTime(at: Date, timeZone: string): { day: Weekday; time: string } {
    const { day, time } = localMoment(at, timeZone);
    return { day, time };
}

/** Weekday, YYYY-MM-DD and HH:MM of `at` in `timeZone`. */
function localMoment(at: Date, timeZone: string): { day: Weekday; date: string; time: string } {
    const parts = new Intl.DateTimeFormat("en-US", {
        timeZone,
        weekday: "short",
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
        hour: "2-digit",
        minute: "2-digit",
        hourCycle: "h23",
    }).formatToParts(at);
    const part = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
    return {
        day: WEEKDAY[part("weekday")],
        date: `${part("year")}-${part("month")}-${part("day")}`,
        time: `${part("hour")}:${part("minute")}`,
    };
}

export function describeWindows(w: ReleaseWindows): string {
    const blocked = w.blockedDates?.length ? `; never on ${w.blockedDates.join(", ")}` : "";
    return `${w.windows.map((x) => `${x.days.join(",")} ${x.from}–${x.to}`).join("; ")}${blocked} (${w.timeZone})`;
}

/** Inside a window, and not on one of the blocked dates (the whole local day in the windows' zone). */
export function checkWindow(w: ReleaseWindows, at: Date): WindowCheck {
    const { day, date, time } = localMoment(at, w.timeZone);
    const label = day.charAt(0).toUpperCase() + day.slice(1);
    if (w.blockedDates?.includes(date)) {
        return { inside: false, local: `${label} ${date} ${time} (${w.timeZone}), a blocked date`, windows: describeWindows(w) };
    }
    const inside = w.windows.some((x) => x.days.includes(day) && x.from <= time && time < x.to);
    return { inside, local: `${label} ${time} (${w.timeZone})`, windows: describeWindows(w) };
}
