/**
 * `Db.query` on PGlite with each distinct text prepared once, as postgres.js does on PostgreSQL.
 *
 * PGlite's own `query` sends every call as five protocol messages, each its own pass through
 * PostgreSQL's main loop (Parse, Describe statement, Bind, Describe portal, Execute, then Sync),
 * so PostgreSQL parses, analyses and plans the text again on every call, in the server's own
 * thread. Here a text is parsed once into a named statement whose parameter types and result
 * columns we keep; a call is then one message (Bind, Execute, Sync) and one pass, and after a few
 * executions PostgreSQL's plan cache keeps a generic plan, so planning is skipped as well.
 *
 * The call takes PGlite's own locks (its transaction lock, then its query lock), exactly as its
 * `query` does, so it never runs inside another caller's transaction.
 */
import { type messages, type PGlite, protocol } from "@electric-sql/pglite";

type RawRow = Record<string, unknown>;

interface Prepared {
  name: string;
  /** The name as a C string, for Bind. */
  nameBytes: Uint8Array;
  paramTypes: number[];
  /** The statement's RowDescription, or undefined when it returns no rows (NoData). */
  rowDescription: messages.RowDescriptionMessage | undefined;
}

/** PGlite's internals this module uses: public on the class, though underscored. */
interface PGliteLocks {
  /** Waits for the start; throws once closing or closed. */
  _checkReady(): Promise<void>;
  _runExclusiveTransaction<T>(fn: () => Promise<T>): Promise<T>;
  _runExclusiveQuery<T>(fn: () => Promise<T>): Promise<T>;
}

const { serialize } = protocol;

function concat(parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/**
 * Errors after which the statement is prepared again and the call retried once. Both are raised
 * before the statement runs, so the retry cannot repeat a write: a migration changed the columns
 * `select *` returns ("cached plan must not change result type"), or the statement is gone
 * (someone ran DEALLOCATE ALL or DISCARD ALL).
 */
function isStale(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return (
    (e.code === "0A000" && /cached plan must not change result type/.test(e.message ?? "")) ||
    e.code === "26000"
  );
}

/** Statement names count up across every preparedQuery of the process, so two never collide. */
let counter = 0;

const DATA_ROW = 0x44; // D
const ERROR = 0x45; // E
const utf8 = new TextDecoder();

/**
 * The rows of a Bind/Execute/Sync answer, decoded with PGlite's parsers as its `query` does; an
 * ErrorResponse is thrown as PGlite's DatabaseError. Other messages (BindComplete,
 * CommandComplete, ReadyForQuery, notices) carry nothing we use.
 */
function readRows(
  answer: Uint8Array,
  description: messages.RowDescriptionMessage | undefined,
  parsers: PGlite["parsers"],
): RawRow[] {
  const view = new DataView(answer.buffer, answer.byteOffset, answer.byteLength);
  const fields = description?.fields ?? [];
  const rows: RawRow[] = [];
  let at = 0;
  while (at + 5 <= answer.length) {
    const code = answer[at]!;
    const end = at + 1 + view.getInt32(at + 1);
    if (code === ERROR) {
      let error: unknown;
      new protocol.Parser().parse(answer.subarray(at, end), (message) => {
        error ??= message;
      });
      throw error;
    }
    if (code === DATA_ROW) {
      const row: RawRow = {};
      const count = view.getInt16(at + 5);
      let p = at + 7;
      for (let i = 0; i < count; i++) {
        const length = view.getInt32(p);
        p += 4;
        const field = fields[i]!;
        if (length < 0) {
          row[field.name] = null;
          continue;
        }
        const text = utf8.decode(answer.subarray(p, p + length));
        p += length;
        const parser = parsers[field.dataTypeID];
        row[field.name] = parser ? parser(text, field.dataTypeID) : text;
      }
      rows.push(row);
    }
    at = end;
  }
  return rows;
}

const utf8Encoder = new TextEncoder();
// Execute (unnamed portal, all rows), then Sync.
const EXECUTE_SYNC = new Uint8Array([0x45, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0x53, 0, 0, 0, 4]);

/**
 * Bind (unnamed portal, the statement, text parameters, text results), Execute and Sync as one
 * buffer. Written here rather than with PGlite's serializer, whose per-message buffers cost more
 * than PostgreSQL takes to run a primary-key look-up.
 */
function bindExecuteSync(statement: Uint8Array, values: readonly (string | null)[]): Uint8Array {
  const encoded = values.map((value) => (value === null ? null : utf8Encoder.encode(value)));
  // Code and length, portal "", the statement, no format codes (all text), the parameters, no
  // result format codes (all text).
  let length = 4 + 1 + statement.length + 2 + 2 + 2;
  for (const bytes of encoded) length += 4 + (bytes?.length ?? 0);
  const out = new Uint8Array(1 + length + EXECUTE_SYNC.length);
  const view = new DataView(out.buffer);
  out[0] = 0x42; // B
  view.setInt32(1, length);
  let at = 6; // after the empty portal name (its 0 byte is already there)
  out.set(statement, at);
  at += statement.length;
  view.setInt16(at, 0);
  view.setInt16(at + 2, encoded.length);
  at += 4;
  for (const bytes of encoded) {
    view.setInt32(at, bytes === null ? -1 : bytes.length);
    at += 4;
    if (bytes !== null) {
      out.set(bytes, at);
      at += bytes.length;
    }
  }
  view.setInt16(at, 0);
  at += 2;
  out.set(EXECUTE_SYNC, at);
  return out;
}

export interface PreparedQueryOptions {
  /** Statements kept prepared at most; the least recently used is closed beyond it. */
  maxStatements?: number;
}

export function preparedQuery(
  client: PGlite,
  options: PreparedQueryOptions = {},
): (text: string, params: readonly unknown[]) => Promise<RawRow[]> {
  const maxStatements = options.maxStatements ?? 200;
  // In use order, least recent first (a Map keeps insertion order).
  const statements = new Map<string, Prepared>();
  const locks = client as unknown as PGliteLocks;

  async function prepare(text: string): Promise<Prepared> {
    const name = `iamport_pay_${++counter}`;
    const { messages: answer } = await client.execProtocol(
      concat([
        serialize.parse({ name, text }),
        serialize.describe({ type: "S", name }),
        serialize.sync(),
      ]),
      { syncToFs: false },
    );
    let paramTypes: number[] = [];
    let rowDescription: messages.RowDescriptionMessage | undefined;
    for (const message of answer) {
      if (message.name === "parameterDescription") {
        paramTypes = (message as messages.ParameterDescriptionMessage).dataTypeIDs;
      } else if (message.name === "rowDescription") {
        rowDescription = message as messages.RowDescriptionMessage;
      }
    }
    const nameBytes = utf8Encoder.encode(`${name}\0`);
    const prepared = { name, nameBytes, paramTypes, rowDescription };
    statements.set(text, prepared);
    if (statements.size > maxStatements) {
      const [oldest, stale] = statements.entries().next().value as [string, Prepared];
      statements.delete(oldest);
      await close(stale);
    }
    return prepared;
  }

  async function close(prepared: Prepared): Promise<void> {
    await client.execProtocol(
      concat([serialize.close({ type: "S", name: prepared.name }), serialize.sync()]),
      { syncToFs: false },
    );
  }

  async function execute(prepared: Prepared, params: readonly unknown[]): Promise<RawRow[]> {
    const values = params.map((param, i) => {
      if (param === null || param === undefined) return null;
      const serializer = client.serializers[prepared.paramTypes[i] ?? 0];
      return serializer ? serializer(param) : String(param);
    }) as (string | null)[];
    // The raw answer, read here. Not execProtocolRaw: besides copying, it parses every message
    // into PGlite's own list, which only execProtocol empties (a leak for raw callers).
    const chunks: Uint8Array[] = [];
    await client.execProtocolRawStream(bindExecuteSync(prepared.nameBytes, values), {
      syncToFs: false,
      onRawData: (chunk) => {
        chunks.push(chunk.slice());
      },
    });
    const answer = chunks.length === 1 ? chunks[0]! : concat(chunks);
    return readRows(answer, prepared.rowDescription, client.parsers);
  }

  async function run(text: string, params: readonly unknown[]): Promise<RawRow[]> {
    let prepared = statements.get(text);
    if (prepared === undefined) {
      prepared = await prepare(text);
    } else {
      // Most recently used last.
      statements.delete(text);
      statements.set(text, prepared);
    }
    try {
      return await execute(prepared, params);
    } catch (error) {
      if (!isStale(error)) throw error;
      statements.delete(text);
      await close(prepared).catch(() => {});
      return execute(await prepare(text), params);
    } finally {
      await client.syncToFs();
    }
  }

  return async (text, params) => {
    await locks._checkReady();
    return locks._runExclusiveTransaction(() =>
      locks._runExclusiveQuery(async () => {
        // A close() queued before this call has run by now.
        if (client.closed) throw new Error("PGlite is closed");
        return run(text, params);
      }),
    );
  };
}
