/** A command that cannot go on: its message is printed as it is, and the exit code is 1. */
export class CliError extends Error {}
