import type { Db } from '../../functions/store/client.js';

type Command = Parameters<Db['doc']['send']>[0];

/**
 * The same table through a process that dies right after the first command of a kind reached
 * DynamoDB: that write stands, its answer never arrives, and every later call fails (the process
 * is gone, so nothing it meant to write afterwards is written).
 */
export function crashAfterFirst(db: Db, kind: abstract new (...args: never[]) => object): Db {
  let crashed = false;
  const doc = Object.create(db.doc) as Db['doc'];
  doc.send = (async (command: Command) => {
    if (crashed) throw new Error('The process is gone');
    const out = await db.doc.send(command as never);
    if (command instanceof kind) {
      crashed = true;
      throw new Error(`Crashed after a ${kind.name}, before its response`);
    }
    return out;
  }) as Db['doc']['send'];
  return { ...db, doc };
}

/**
 * The same table through a process that stops before sending the first command of a kind, until
 * `resume()`: a request that reaches that write stays in progress, so the test decides what runs
 * meanwhile instead of racing two requests.
 */
export function pauseBeforeFirst(db: Db, kind: abstract new (...args: never[]) => object): { db: Db; reached: Promise<void>; resume(): void } {
  let reach!: () => void;
  let resume!: () => void;
  const reached = new Promise<void>((r) => {
    reach = r;
  });
  const resumed = new Promise<void>((r) => {
    resume = r;
  });
  let paused = false;
  const doc = Object.create(db.doc) as Db['doc'];
  doc.send = (async (command: Command) => {
    if (command instanceof kind && !paused) {
      paused = true;
      reach();
      await resumed;
    }
    return db.doc.send(command as never);
  }) as Db['doc']['send'];
  return { db: { ...db, doc }, reached, resume };
}
