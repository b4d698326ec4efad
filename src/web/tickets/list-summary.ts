/**
 * The line above a ticket list: "1,204 tickets, page 2 of 25". A capped count
 * reads "10,000+ tickets, page 3" since it knows no last page.
 */
export function describeListCount(list: {
  total: number;
  capped: boolean;
  page: number;
  pages: number;
}): string {
  const count = `${list.total.toLocaleString('en-US')}${list.capped ? '+' : ''}`;
  const noun = list.total === 1 && !list.capped ? 'ticket' : 'tickets';
  if (list.pages <= 1) return `${count} ${noun}`;
  const page = list.capped ? `page ${list.page}` : `page ${list.page} of ${list.pages}`;
  return `${count} ${noun}, ${page}`;
}
