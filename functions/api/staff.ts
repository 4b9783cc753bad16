/**
 * The staff directory over HTTP (docs/staff.md): people, teams and partner organisations, written
 * by an admin, read by the vendor's staff; customers and partner agents get 403 (docs/authorization.md). `GET /staff` is the whole directory, for
 * `tierdesk staff export`. Rules and schemas: core/staff/directory.ts.
 */
import * as z from 'zod/mini';
import { decide } from '../../core/access/authorize';
import { LIMITS } from '../../core/limits';
import { teamProblems } from '../../core/staff/directory';
import { PartnerSchema, PersonSchema, TeamSchema } from '../../core/staff/schema';
import { HttpError, type HttpResult, json } from '../shared/http';
import type { Runtime } from '../shared/runtime';
import { forgetStaffDirectory } from '../shared/staff-directory';
import { staffStoreOf } from '../store/staff';
import { signedPage } from './cursors';
import { PAGE_QUERY } from './schemas';
import { allowOrThrow, type Request } from './tickets';

export const PersonBodySchema = z.omit(PersonSchema, { id: true });
export const TeamBodySchema = z.omit(TeamSchema, { id: true });
export const PartnerBodySchema = z.omit(PartnerSchema, { id: true });

export const ListStaffQuery = z.strictObject(PAGE_QUERY);

export async function putPerson(rt: Runtime, request: Request, id: string): Promise<HttpResult> {
  allowOrThrow(decide(request.principal, 'staff:write')); // the id's shape is checked before (routes.ts: PATH_IDS.person)
  const person = { ...PersonBodySchema.parse(request.body), id };
  const store = staffStoreOf(rt.store);
  await checkPartner(rt, person.partner);
  const existed = await store.getPerson(id);
  if (!existed) await refuseWhenFull(rt, 'people', LIMITS.staffPeople);
  await store.putPerson(person);
  forgetStaffDirectory();
  return json(existed ? 200 : 201, person);
}

export async function getPerson(rt: Runtime, request: Request, id: string): Promise<HttpResult> {
  allowOrThrow(decide(request.principal, 'staff:read'));
  const person = await staffStoreOf(rt.store).getPerson(id);
  if (!person) throw new HttpError(404, `no person ${id} in the staff directory`);
  return json(200, person);
}

export async function listPeople(rt: Runtime, request: Request): Promise<HttpResult> {
  allowOrThrow(decide(request.principal, 'staff:read'));
  return signedPage(request.principal, 'staff-people', ListStaffQuery.parse(request.query), (page) => staffStoreOf(rt.store).listPeople(page));
}

/** A team's lead and members must be people of the directory: 400 naming the first that is not ("members.2"). */
export async function putTeam(rt: Runtime, request: Request, id: string): Promise<HttpResult> {
  allowOrThrow(decide(request.principal, 'staff:write'));
  const team = { ...TeamBodySchema.parse(request.body), id };
  const store = staffStoreOf(rt.store);
  await checkPartner(rt, team.partner);
  const [problem] = teamProblems(team, await store.directory());
  if (problem) throw new HttpError(400, `${problem.message} (PUT /staff/people/{id} first)`, { field: problem.field });
  const existed = await store.getTeam(id);
  if (!existed) await refuseWhenFull(rt, 'teams', LIMITS.staffTeams);
  await store.putTeam(team);
  forgetStaffDirectory();
  return json(existed ? 200 : 201, team);
}

export async function getTeam(rt: Runtime, request: Request, id: string): Promise<HttpResult> {
  allowOrThrow(decide(request.principal, 'staff:read'));
  const team = await staffStoreOf(rt.store).getTeam(id);
  if (!team) throw new HttpError(404, `no team ${id} in the staff directory`);
  return json(200, team);
}

export async function listTeams(rt: Runtime, request: Request): Promise<HttpResult> {
  allowOrThrow(decide(request.principal, 'staff:read'));
  return signedPage(request.principal, 'staff-teams', ListStaffQuery.parse(request.query), (page) => staffStoreOf(rt.store).listTeams(page));
}

/** GET /staff: the whole directory (bounded: LIMITS.staffPeople and LIMITS.staffTeams), as a directory file holds it. */
export async function exportDirectory(rt: Runtime, request: Request): Promise<HttpResult> {
  allowOrThrow(decide(request.principal, 'staff:read'));
  return json(200, await staffStoreOf(rt.store).directory());
}

/** PUT /staff/partners/{id}: a partner organisation; its agents and the customers it serves name it. */
export async function putPartner(rt: Runtime, request: Request, id: string): Promise<HttpResult> {
  allowOrThrow(decide(request.principal, 'staff:write')); // the id's shape is checked before (routes.ts: PATH_IDS.partner)
  const partner = { ...PartnerBodySchema.parse(request.body), id };
  const store = staffStoreOf(rt.store);
  const existed = await store.getPartner(id);
  if (!existed) await refuseWhenFull(rt, 'partners', LIMITS.staffPartners);
  await store.putPartner(partner);
  forgetStaffDirectory();
  return json(existed ? 200 : 201, partner);
}

export async function getPartner(rt: Runtime, request: Request, id: string): Promise<HttpResult> {
  allowOrThrow(decide(request.principal, 'staff:read'));
  const partner = await staffStoreOf(rt.store).getPartner(id);
  if (!partner) throw new HttpError(404, `no partner ${id} in the staff directory`);
  return json(200, partner);
}

/** A person's or team's partner must be a partner of the directory (read fresh). */
async function checkPartner(rt: Runtime, partner: string | undefined): Promise<void> {
  if (partner === undefined || (await staffStoreOf(rt.store).getPartner(partner))) return;
  throw new HttpError(400, `no partner "${partner}" in the staff directory (PUT /staff/partners/${partner} first)`, { field: 'partner' });
}

/** The directory is read whole to resolve every mail: it stays within its bounds. */
async function refuseWhenFull(rt: Runtime, kind: 'people' | 'teams' | 'partners', max: number): Promise<void> {
  const directory = await staffStoreOf(rt.store).directory();
  if ((directory[kind] ?? []).length >= max) throw new HttpError(409, `the staff directory holds at most ${max} ${kind}`, { field: 'id' });
}
