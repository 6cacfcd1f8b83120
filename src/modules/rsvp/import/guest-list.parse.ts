import { CsvError, parse } from 'csv-parse/sync';
import { actorFieldRules, MEMBERSHIP_ROLES } from '../../../domains/actors/actors.service.js';
import { ValidationError } from '../../../platform/errors.js';

/**
 * The guest-list CSV: decoding, the header, and every check a row can fail
 * without looking at the database. The format is documented in
 * docs/guest-list-import.md and in the importGuestList description; keep the
 * three in step.
 */

export const GUEST_LIST_COLUMNS = ['household', 'name', 'role', 'email', 'phone', 'tags', 'events'] as const;
export type GuestListColumn = (typeof GUEST_LIST_COLUMNS)[number];
const REQUIRED_COLUMNS: GuestListColumn[] = ['household', 'name'];

export const GUEST_LIST_LIMITS = {
  /** Data rows (the header and blank lines not counted). */
  rows: 10_000,
  /** The decoded file, in bytes. */
  bytes: 2 * 1024 * 1024,
  /** Tags and events one row may list. */
  tagsPerRow: 50,
  eventsPerRow: 100,
};

type Role = (typeof MEMBERSHIP_ROLES)[number];

export interface GuestRow {
  /** The file line the row starts on (the header is line 1). */
  line: number;
  /** Null for someone invited alone (household cell empty, or equal to the name). */
  household: string | null;
  householdKey: string | null;
  name: string;
  nameKey: string;
  role: Role;
  /** Whether the role cell was filled in: an empty cell leaves an existing member's role alone. */
  roleGiven: boolean;
  email: string | null;
  phone: string | null;
  /** Tag names as written (first spelling wins), without duplicates. */
  tags: string[];
  /** Event names as written, without duplicates. */
  events: string[];
}

export interface RowIssue {
  line: number;
  column: GuestListColumn | null;
  message: string;
}

export interface DecodedFile {
  text: string;
  /** The input field the file came in, for error paths. */
  source: 'csv' | 'csvBase64';
  bytes: number;
}

export interface ParsedGuestList {
  source: DecodedFile['source'];
  /** Data rows in the file (valid or not). */
  rowCount: number;
  /** The rows without any issue, in file order. */
  rows: GuestRow[];
  issues: RowIssue[];
}

/** Names and households match ignoring case, accents' composition and runs of spaces. */
export const matchKey = (s: string) => tidy(s).toLowerCase();
/** A cell as stored and compared: NFC, trimmed, inner runs of spaces made one. */
export const tidy = (s: string) => s.normalize('NFC').trim().replace(/\s+/g, ' ');

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const fileError = (path: string, message: string, detail = message) => new ValidationError(message, [{ path, message: detail }]);
const lineOf = (text: string, index: number) => text.slice(0, index).split(/\r\n|\r|\n/).length;
const tooLarge = (path: string) =>
  fileError(path, `The file is larger than ${GUEST_LIST_LIMITS.bytes / 1024 / 1024} MiB; split the guest list into several files.`);

/**
 * The file as text: exactly one of `csv` (text) or `csvBase64` (the file's
 * bytes, which must be UTF-8). Refuses what would be stored garbled: invalid
 * UTF-8, U+FFFD (the mark of an earlier lossy conversion), NUL, lone surrogates.
 */
export function decodeGuestList(input: { csv?: string | null; csvBase64?: string | null }): DecodedFile {
  const given = (['csv', 'csvBase64'] as const).filter((k) => input[k] != null);
  if (given.length !== 1) throw fileError('input', 'Send the file as exactly one of csv (text) or csvBase64 (the file’s bytes, base64).');
  const source = given[0]!;
  const path = `input.${source}`;
  let text: string;
  let bytes: number;
  if (source === 'csvBase64') {
    const b64 = input.csvBase64!.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(b64) || b64.length % 4 === 1) throw fileError(path, 'csvBase64 is not valid base64.');
    if (Math.floor((b64.length * 3) / 4) > GUEST_LIST_LIMITS.bytes + 3) throw tooLarge(path);
    const buf = Buffer.from(b64, b64.includes('-') || b64.includes('_') ? 'base64url' : 'base64');
    bytes = buf.length;
    try {
      // fatal: a byte sequence that is not UTF-8 is refused rather than turned into U+FFFD; the BOM is dropped.
      text = new TextDecoder('utf-8', { fatal: true }).decode(buf);
    } catch {
      throw fileError(path, 'The file is not UTF-8 text. Save it as “CSV UTF-8” (Excel) or export it as UTF-8 CSV, then upload it again.');
    }
  } else {
    text = input.csv!.startsWith('\uFEFF') ? input.csv!.slice(1) : input.csv!;
    if (LONE_SURROGATE.test(text)) throw fileError(path, 'The text is not valid Unicode (it contains a lone surrogate).');
    bytes = Buffer.byteLength(text, 'utf8');
  }
  if (bytes > GUEST_LIST_LIMITS.bytes) throw tooLarge(path);
  // eslint-disable-next-line no-control-regex -- a NUL is exactly what this looks for (a binary file sent as CSV)
  const bad = text.search(/[\uFFFD\u0000]/);
  if (bad >= 0) {
    const line = lineOf(text, bad);
    const what = text[bad] === '\u0000' ? 'a NUL character' : 'the replacement character “\uFFFD”';
    throw fileError(
      `${path}.line.${line}`,
      `Line ${line} contains ${what}: the file was damaged by an earlier conversion. Export it again as UTF-8 CSV.`,
      `Contains ${what}.`,
    );
  }
  if (!text.trim()) throw fileError(path, 'The file is empty.');
  return { text, source, bytes };
}

interface CsvRecord {
  record: string[];
  info: { lines: number };
}

/** The line a record starts on: csv-parse reports where it ends, and a quoted cell may span lines. */
const startLine = (r: CsvRecord) => r.info.lines - r.record.reduce((n, cell) => n + (cell.match(/\r\n|\r|\n/g)?.length ?? 0), 0);

/** csv-parse reports an unclosed quote where the file ends; the line to fix is where the quote opened. */
function unclosedQuoteLine(text: string) {
  let open = 0;
  let quoted = false;
  for (let i = text.indexOf('"'); i >= 0; i = text.indexOf('"', i + 1)) {
    quoted = !quoted;
    if (quoted) open = i;
  }
  return lineOf(text, open);
}

function readRecords(file: DecodedFile): CsvRecord[] {
  try {
    return parse(file.text, {
      info: true,
      // Rows with too few or too many cells are reported per line below, not as a failure of the whole file.
      relax_column_count: true,
      skip_empty_lines: true,
      max_record_size: 64 * 1024,
    }) as unknown as CsvRecord[];
  } catch (e) {
    if (!(e instanceof CsvError)) throw e;
    const line = e.code === 'CSV_QUOTE_NOT_CLOSED' ? unclosedQuoteLine(file.text) : typeof e.lines === 'number' ? e.lines : 1;
    const reason =
      e.code === 'CSV_QUOTE_NOT_CLOSED'
        ? 'a quoted cell is never closed'
        : e.code === 'CSV_INVALID_CLOSING_QUOTE' || e.code === 'INVALID_OPENING_QUOTE'
          ? 'a quote (") appears inside a cell that is not quoted; wrap the cell in quotes and double the quote ("")'
          : e.code === 'CSV_MAX_RECORD_SIZE'
            ? 'a row is longer than 64 KiB'
            : 'the CSV cannot be read';
    throw fileError(`input.${file.source}.line.${line}`, `Line ${line}: ${reason}. Nothing was imported.`, reason);
  }
}

/** Column positions from the header row; every problem with it at once. */
function readHeader(cells: string[], path: string): Map<GuestListColumn, number> {
  const names = cells.map((c) => c.trim().toLowerCase());
  const problems: string[] = [];
  if (names.length === 1 && names[0]!.includes(';')) {
    throw fileError(path, 'The header has one column: separate columns with commas (,); semicolons separate tags and events inside a cell.');
  }
  const columns = new Map<GuestListColumn, number>();
  names.forEach((n, i) => {
    if (!(GUEST_LIST_COLUMNS as readonly string[]).includes(n)) problems.push(`unknown column “${cells[i]!.trim()}”`);
    else if (columns.has(n as GuestListColumn)) problems.push(`column “${n}” appears twice`);
    else columns.set(n as GuestListColumn, i);
  });
  for (const c of REQUIRED_COLUMNS) if (!columns.has(c)) problems.push(`column “${c}” is missing`);
  if (problems.length) {
    const detail = `${problems.join('; ')}. The columns are ${GUEST_LIST_COLUMNS.join(', ')} (household and name required).`;
    throw fileError(path, `Line 1 (header): ${detail}`, detail);
  }
  return columns;
}

const splitList = (cell: string) => {
  const seen = new Map<string, string>();
  for (const part of cell.split(';')) {
    const v = tidy(part);
    if (v && !seen.has(v.toLowerCase())) seen.set(v.toLowerCase(), v);
  }
  return [...seen.values()];
};

const issueText = (e: { issues: { message: string }[] }) => e.issues[0]?.message ?? 'Invalid value.';

/**
 * One row's own checks: every problem of the row, and the row as far as it
 * could be read (for the checks across rows, which report a duplicate of a
 * bad row too). No row when it has no usable name.
 */
function readRow(cells: string[], line: number, columns: Map<GuestListColumn, number>, width: number): { row?: GuestRow; issues: RowIssue[] } {
  const issues: RowIssue[] = [];
  const issue = (column: GuestListColumn | null, message: string) => issues.push({ line, column, message });
  if (cells.length !== width) issue(null, `This row has ${cells.length} cells; the header has ${width}. Quote cells that contain commas.`);
  const cell = (c: GuestListColumn) => {
    const i = columns.get(c);
    return i === undefined ? '' : (cells[i] ?? '');
  };

  const name = tidy(cell('name'));
  if (!name) issue('name', 'The name is empty.');
  else if (name.length > 200) issue('name', 'The name is longer than 200 characters.');
  let household: string | null = tidy(cell('household')) || null;
  if (household && household.length > 200) issue('household', 'The household name is longer than 200 characters.');
  // A household cell that repeats the person's own name means "invited alone", as spreadsheets often fill it in.
  if (household && name && matchKey(household) === matchKey(name)) household = null;

  const roleCell = tidy(cell('role'))
    .toUpperCase()
    .replace(/[\s-]+/g, '_');
  const roleGiven = roleCell !== '';
  if (roleGiven && !(MEMBERSHIP_ROLES as readonly string[]).includes(roleCell))
    issue('role', `Unknown role “${tidy(cell('role'))}”: use ${MEMBERSHIP_ROLES.join(', ')} or leave it empty (MEMBER).`);

  let email: string | null = null;
  if (tidy(cell('email'))) {
    const r = actorFieldRules.email.safeParse(cell('email'));
    if (r.success) email = r.data;
    else issue('email', `“${tidy(cell('email'))}”: ${issueText(r.error)}`);
  }
  let phone: string | null = null;
  if (tidy(cell('phone'))) {
    const r = actorFieldRules.phone.safeParse(cell('phone'));
    if (r.success) phone = r.data;
    else issue('phone', `“${tidy(cell('phone'))}”: ${issueText(r.error)}`);
  }
  const tags = splitList(cell('tags'));
  if (tags.length > GUEST_LIST_LIMITS.tagsPerRow) issue('tags', `At most ${GUEST_LIST_LIMITS.tagsPerRow} tags per person.`);
  const longTag = tags.find((t) => t.length > 60);
  if (longTag) issue('tags', `The tag “${longTag.slice(0, 20)}…” is longer than 60 characters.`);
  const events = splitList(cell('events'));
  if (events.length > GUEST_LIST_LIMITS.eventsPerRow) issue('events', `At most ${GUEST_LIST_LIMITS.eventsPerRow} events per row.`);

  if (!name || name.length > 200) return { issues };
  return {
    issues,
    row: {
      line,
      household,
      householdKey: household ? matchKey(household) : null,
      name,
      nameKey: matchKey(name),
      role: roleGiven && (MEMBERSHIP_ROLES as readonly string[]).includes(roleCell) ? (roleCell as Role) : 'MEMBER',
      roleGiven,
      email,
      phone,
      tags,
      events,
    },
  };
}

/**
 * Reads the decoded file into rows and issues. A broken file as a whole
 * (unreadable CSV, bad header, too many rows) is a ValidationError; problems
 * of single rows are all collected, each with its line, so one dry run shows
 * everything to fix.
 */
export function parseGuestList(file: DecodedFile): ParsedGuestList {
  const records = readRecords(file);
  const headerIndex = records.findIndex((r) => r.record.some((c) => c.trim()));
  if (headerIndex < 0) throw fileError(`input.${file.source}`, 'The file is empty.');
  const header = records[headerIndex]!;
  const columns = readHeader(header.record, `input.${file.source}.line.${startLine(header)}`);
  // Rows of empty cells (",,,,") are what spreadsheets leave below the data: not rows.
  const data = records.slice(headerIndex + 1).filter((r) => r.record.some((c) => c.trim()));
  if (data.length > GUEST_LIST_LIMITS.rows) {
    throw fileError(
      `input.${file.source}`,
      `The file has ${data.length.toLocaleString('en')} rows; at most ${GUEST_LIST_LIMITS.rows.toLocaleString('en')} can be imported at once. Split it into several files.`,
    );
  }
  if (!data.length) throw fileError(`input.${file.source}`, 'The file has a header but no rows.');

  const issues: RowIssue[] = [];
  const candidates: GuestRow[] = [];
  const bad = new Set<number>();
  for (const r of data) {
    const line = startLine(r);
    const read = readRow(r.record, line, columns, header.record.length);
    issues.push(...read.issues);
    if (read.issues.length) bad.add(line);
    if (read.row) candidates.push(read.row);
  }

  // Checks across rows: each person once, in one place; a household name is not also someone invited alone.
  const byPlace = new Map<string, number>();
  const placeOf = new Map<string, { householdKey: string | null; household: string | null; line: number }>();
  const households = new Map<string, number>();
  for (const row of candidates) if (row.householdKey && !households.has(row.householdKey)) households.set(row.householdKey, row.line);
  for (const row of candidates) {
    const flag = (column: GuestListColumn, message: string) => {
      issues.push({ line: row.line, column, message });
      bad.add(row.line);
    };
    const place = `${row.householdKey ?? ''}\u0000${row.nameKey}`;
    const first = byPlace.get(place);
    if (first !== undefined) {
      flag('name', `Listed twice: line ${first} has the same household and name.`);
      continue;
    }
    byPlace.set(place, row.line);
    const elsewhere = placeOf.get(row.nameKey);
    if (elsewhere) {
      const where = elsewhere.household ? `in household “${elsewhere.household}”` : 'as invited alone';
      flag('household', `${row.name} is already listed ${where} on line ${elsewhere.line}; a person belongs to one household.`);
      continue;
    }
    placeOf.set(row.nameKey, { householdKey: row.householdKey, household: row.household, line: row.line });
    const clash = row.householdKey ? undefined : households.get(row.nameKey);
    if (clash !== undefined) {
      flag(
        'household',
        `${row.name} is invited alone here but is also the name of a household (line ${clash}); list them in that household, or give the household another name.`,
      );
    }
  }
  issues.sort((a, b) => a.line - b.line);
  return { source: file.source, rowCount: data.length, rows: candidates.filter((r) => !bad.has(r.line)), issues };
}
