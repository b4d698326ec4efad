/** The names in a staff list, in the order shown (each links to the person's page). */
export const staffNames = (body: string) =>
  [...body.matchAll(/<a href="\/staff\/\d+">([^<]+)<\/a>/g)].map((m) => m[1]);
