/** How a plan shows a value it must not show, and one it cannot know (plain strings; no SDK needed to read them). */
export const secretText = "[secret]";
export const unknownText = "[unknown]";
