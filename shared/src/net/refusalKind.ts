/**
 * A refusal's reason reduced to a short, bounded label (the metric's `reason`, the refusal counts):
 * the words before the first colon, with the parts that name a peer or a value removed.
 */
export const refusalKind = (reason: string): string => {
  if (reason.startsWith("peer id "))
    return reason.endsWith(" is already connected") ? "peer id already connected" : "peer id of another identity"
  if (reason.startsWith("unknown message type")) return "unknown message type"
  const head = (reason.split(":")[0] ?? reason).trim()
  return head.length > 0 && head.length <= 48 && !/\d{3}/.test(head) ? head : "other"
}
