import type { Timestamp } from './schema.js';

/** What the Reports page reads instead of tickets, all kept by triggers (migrations 0080, 0180). */

/** One narrow row per ticket, so Reports never reads ticket rows or walks timelines. */
export interface TicketReportTimesTable {
  ticket_id: number;
  priority_id: number;
  created_by: number;
  created_at: Timestamp;
  /** The first note or status change by someone other than the creator. */
  first_response_at: Timestamp | null;
  /** When the ticket became Complete; null while it is not. */
  completed_at: Timestamp | null;
  /** Whole minutes from creation to Complete, and the band they fall in (0 shortest). */
  complete_minutes: number | null;
  complete_band: number | null;
  /** Whole minutes from creation to the first response, and their band. */
  response_minutes: number | null;
  response_band: number | null;
}

/** Where each agency day begins; written by the app, which knows the time zone. */
export interface ReportDaysTable {
  starts_at: Timestamp;
  /** YYYY-MM-DD on the agency's calendar. */
  day: string;
}

/** For which time zone and days report_days and report_daily were built (one row). */
export interface ReportCalendarTable {
  id: number;
  time_zone: string;
  first_day: string;
  last_day: string;
}

/**
 * Per agency day, priority and band: tickets created (measure 1; band of the
 * first response, -1 while none) and completed (measure 2; band of the time to
 * complete). Day '' holds tickets outside report_days until the next rebuild.
 */
export interface ReportDailyTable {
  measure: 1 | 2;
  day: string;
  priority_id: number;
  band: number;
  n: number;
}
