import { describe, expect, it } from 'vitest';
import type { StaffOption } from '../../src/repositories/staff.js';
import { StaffDirectory } from '../../src/staff/search.js';

const staff: StaffOption[] = [
  { id: 1, name: 'Ashlee Park', username: 'apark', department: 'Billing', role_name: 'Staff' },
  { id: 2, name: 'Lee Chan', username: 'lchan', department: null, role_name: 'Champion' },
  { id: 3, name: 'Kathleen Ruiz', username: 'kruiz', department: 'Intake', role_name: 'Staff' },
  { id: 4, name: 'Leela Shah', username: 'lshah', department: 'Billing', role_name: 'Staff' },
];

const names = (directory: StaffDirectory, query: string, limit?: number) =>
  directory.search(query, limit).matches.map((m) => m.name);

describe('staff quick search answers', () => {
  it('word starts first, then matches inside a word; asked again, the same answer', () => {
    const directory = new StaffDirectory(staff);
    expect(names(directory, 'lee')).toEqual([
      'Lee Chan',
      'Leela Shah',
      'Ashlee Park',
      'Kathleen Ruiz',
    ]);
    expect(directory.search('lee')).toBe(directory.search('lee'));
    expect(directory.search('LEE').matches).toEqual(directory.search('lee').matches);
  });

  it('a smaller limit is its own answer, and says there were more', () => {
    const directory = new StaffDirectory(staff);
    expect(directory.search('lee').more).toBe(false);
    const one = directory.search('lee', 1);
    expect(one.matches.map((m) => m.name)).toEqual(['Lee Chan']);
    expect(one.more).toBe(true);
    expect(names(directory, 'lee')).toHaveLength(4);
  });

  it('past the number kept, answers are still right', () => {
    const directory = new StaffDirectory(staff);
    const first = names(directory, 'park');
    for (let i = 0; i < 1200; i++) directory.search(`nobody${i}`);
    expect(names(directory, 'park')).toEqual(first);
    expect(names(directory, 'shah')).toEqual(['Leela Shah']);
    expect(names(directory, 'nobody7')).toEqual([]);
  });

  it('a new directory (staff changed) answers from its own people', () => {
    const before = new StaffDirectory(staff);
    expect(names(before, 'morgan')).toEqual([]);
    const after = new StaffDirectory([
      ...staff,
      { id: 5, name: 'Morgan Lee', username: 'mlee', department: null, role_name: 'Staff' },
    ]);
    expect(names(after, 'morgan')).toEqual(['Morgan Lee']);
    expect(names(before, 'morgan')).toEqual([]);
  });
});
