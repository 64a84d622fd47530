import type { Person } from '../../core/people/people.js';
import { ConflictError } from '../../core/shared/errors.js';
import type { Deps } from '../../deps.js';
import { peopleStore, personView } from '../../store/people.js';

/** The person a session belongs to (GET /v1/me). */
export async function signedInPerson(deps: Pick<Deps, 'db'>, tenantId: string, personId: string): Promise<Person> {
  return personView(await peopleStore(deps.db).person(tenantId, personId));
}

export async function listPeople(deps: Pick<Deps, 'db'>, tenantId: string): Promise<Person[]> {
  return peopleStore(deps.db).list(tenantId);
}

/** An owner removes a person of their tenant; their sessions end with them. The owner cannot remove themselves. */
export async function removePerson(deps: Pick<Deps, 'db'>, tenantId: string, personId: string, by: string | undefined): Promise<void> {
  const store = peopleStore(deps.db);
  const person = personView(await store.person(tenantId, personId));
  if (person.id === by || person.role === 'owner') throw new ConflictError('The owner cannot be removed');
  await store.remove(tenantId, person);
}
