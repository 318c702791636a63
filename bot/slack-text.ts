/**
 * Text from data, made inert for Slack: `&`, `<` and `>` are escaped, so a movie title can
 * never ping a channel (`<!channel>`), mention someone (`<@U123>`) or forge a link.
 */
export function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Cut to at most `max` characters (Slack's block text limits), marking the cut. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
