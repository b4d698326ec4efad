import type { Random } from './random.js';

/** Names as an agency's roster has them: accents, apostrophes, hyphens, and namesakes. */
// biome-ignore format: word lists read better packed
export const FIRST_NAMES = [
  'Ann', 'Anne', 'Anna', 'José', 'María', 'Zoë', 'Renée', 'Chloé', 'François', 'Siobhán', 'Björn',
  'Noémie', 'Inês', 'Łucja', 'Kathleen', 'Ashlee', 'Leena', 'Lee', 'Mohammed', 'Aaliyah',
  'DeShawn', 'Mary', 'James', 'Robert', 'Patricia', 'Jennifer', 'Michael', 'Linda', 'David',
  'Elizabeth', 'Susan', 'Joseph', 'Jessica', 'Thomas', 'Sarah', 'Karen', 'Daniel', 'Nancy', 'Lisa',
  'Betty', 'Mark', 'Sandra', 'Ashley', 'Kimberly', 'Emily', 'Donna', 'Michelle', 'Carol', 'Amanda',
  'Melissa', 'Deborah', 'Stephanie', 'Rebecca', 'Laura', 'Sharon', 'Cynthia', 'Kevin', 'Brian',
  'George', 'Timothy', 'Ronald', 'Jason', 'Ryan', 'Jacob', 'Nicole', 'Ángel', 'Lúcia', 'Søren',
  'Oğuz', 'Thảo', 'Haruto', 'Priya', 'Chidi', 'Olúwaseun', 'Mei', 'Tomás',
];

// biome-ignore format: word lists read better packed
export const LAST_NAMES = [
  'Lee', 'Li', 'Leigh', 'Lee-Park', 'Kealey', 'Fleetwood', 'Smith', 'Johnson', 'Williams', 'Brown',
  'Jones', 'García', 'Miller', 'Davis', 'Rodríguez', 'Martínez', 'Hernández', 'López', 'González',
  'Wilson', 'Anderson', 'Thomas', 'Taylor', 'Moore', 'Jackson', 'Martin', 'Thompson', 'White',
  'Harris', 'Sánchez', 'Clark', 'Ramírez', 'Lewis', 'Robinson', 'Walker', 'Young', 'Allen', 'King',
  'Wright', 'Scott', 'Torres', 'Nguyễn', 'Hill', 'Flores', 'Green', 'Adams', 'Nelson', 'Baker',
  'Hall', 'Rivera', 'Campbell', 'Mitchell', 'Carter', 'Roberts', "O'Brien", 'Núñez', 'Müller',
  'Schäfer', 'Østergaard', 'Kowalski', 'Dubois', 'Peña', 'Ibáñez', 'Okafor', 'Patel', 'Kim',
  'Park', 'Chen', 'Yılmaz', 'Tanaka', "D'Angelo", 'MacDonald', 'St. James', 'Brontë', 'Zhao',
];

/** Departments with rough head-count weights: clinicians outnumber everyone. */
export const DEPARTMENTS: readonly (readonly [string, number])[] = [
  ['Clinical', 34],
  ['Intake', 10],
  ['Scheduling', 8],
  ['Billing', 10],
  ['Case management', 14],
  ['Medical records', 5],
  ['Pharmacy', 3],
  ['Administration', 7],
  ['Human resources', 3],
  ['Facilities', 3],
  ['IT', 3],
];

/** Lower-case ASCII for usernames: "Nguyễn" becomes "nguyen", "O'Brien" "obrien". */
export function asciiFold(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/ł/gi, 'l')
    .replace(/ø/gi, 'o')
    .replace(/ı/g, 'i')
    .toLowerCase()
    .replace(/[^a-z]/g, '');
}

// biome-ignore format: word lists read better packed
const DEVICES = [
  'Printer', 'Label printer', 'Scanner', 'Fax machine', 'Laptop', 'Monitor', 'Desk phone',
  'Headset', 'Badge reader', 'Webcam', 'Docking station', 'Keyboard', 'Signature pad', 'Printer',
];
// biome-ignore format: word lists read better packed
const PLACES = [
  'at the front desk', 'in the intake office', 'in the billing office', 'in room 104',
  'on the second floor', 'at clinic B', 'in the east wing', 'in the telehealth room',
  'in the group room', 'at the north site',
];
// biome-ignore format: word lists read better packed
const DEVICE_PROBLEMS = [
  'is jammed', 'will not turn on', 'prints blank pages', 'is offline', 'keeps disconnecting',
  'shows an error', 'is very slow', 'needs toner', 'makes a grinding noise', 'is not detected',
];
// biome-ignore format: word lists read better packed
const APPS = [
  'Procentive', 'the EHR', 'email', 'the billing portal', 'the scheduler', 'the VPN', 'Teams',
  'the time clock', 'payroll', 'the shared drive', 'the e-prescribing module', 'the fax server',
];
// biome-ignore format: word lists read better packed
const APP_PROBLEMS = [
  'Cannot sign in to %', '% is slow this morning', 'Need access to %', 'Password reset for %',
  'Report does not load in %', 'Claim batch stuck in %', 'Error when saving in %',
  '% logs me out every few minutes', 'Two-factor code not arriving for %',
  '% shows the wrong date',
];
// biome-ignore format: word lists read better packed
const OTHER_TITLES = [
  'New hire setup for next week', 'Remove access for departing staff',
  'Move desk phone to new office', 'Request a second monitor', 'Calendar invites not arriving',
  'Shared drive is full', 'Wi-Fi drops in the group room', 'Training request for new module',
  'Update after-hours voicemail greeting', 'Order more label rolls', 'Door code reset',
  'Projector in conference room will not connect', 'Question about the new intake form',
];

/** A title as staff write them: short, about a thing or a system, never about a client. */
export function ticketTitle(random: Random): string {
  const roll = random.next();
  if (roll < 0.45) {
    return `${random.pick(DEVICES)} ${random.pick(PLACES)} ${random.pick(DEVICE_PROBLEMS)}`;
  }
  if (roll < 0.85) {
    const title = random.pick(APP_PROBLEMS).replace('%', random.pick(APPS));
    return title[0]?.toUpperCase() + title.slice(1);
  }
  return random.pick(OTHER_TITLES);
}

// biome-ignore format: word lists read better packed
const SENTENCES = [
  'This started on Monday after the update and has happened every day since.',
  'I was checking in a client for their 10:30 appointment when the screen froze.',
  'The error says the session expired, but I had only just signed in.',
  'Client 48213 could not be scheduled because the calendar would not open.',
  'I tried restarting twice and it did not help.',
  'The claim for date of service 03/14 was rejected and I cannot resubmit it.',
  'Dr. Alvarez needs this before the afternoon group session.',
  'It works on the computer next to mine, so it may be my account.',
  'The paper keeps feeding crooked and then it stops with a red light.',
  'We have three intakes waiting and no way to print the consent forms.',
  'The diagnosis code field will not accept the new code set.',
  'I can see the report for last month but this month comes up empty.',
  'Please call me at extension 2214 if you need me to show you.',
  'Billing says the batch from Friday never arrived on their side.',
  'The medication list did not carry over when the chart was transferred.',
  'Nothing has changed on my desk as far as I know.',
];

/** Free text of the length staff write (a sentence or two up to a long paragraph). */
export function paragraph(random: Random, minChars: number, maxChars: number): string {
  const target = random.int(minChars, maxChars);
  let text = '';
  while (text.length < target) text += (text ? ' ' : '') + random.pick(SENTENCES);
  return text.slice(0, maxChars);
}
