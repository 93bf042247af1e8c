/**
 * crm-record's metadata operations: the org's users (by type and role), its modules, and a
 * module's fields and layouts, as msg.payload. Answers come from the connection's metadata cache
 * (the one the editor's pickers use); the node's "Ask Zoho every time" or msg.refresh asks again.
 */
import * as crm from '../../zoho/crm/index';
import type { InputContext } from '../runtime/flow-node';
import { flag, text } from '../runtime/props';
import type { CrmRecordDef, CrmRecordInput } from './input';

type Run = (ctx: InputContext, def: CrmRecordDef, input: CrmRecordInput) => Promise<void>;

/** msg.refresh (true/false) when the message has it, else the node's option. */
const refreshOf = (ctx: InputContext, def: CrmRecordDef): boolean =>
  ctx.msg.refresh !== undefined ? flag(ctx.msg.refresh) : def.refresh === true;

function output(ctx: InputContext, list: unknown[], what: string): void {
  ctx.msg.payload = list;
  ctx.send(ctx.msg);
  ctx.status.done(ctx.t(`status.${what}`, { count: list.length }));
}

const listUsers: Run = async (ctx, def) => {
  const type = text(await ctx.prop('userType', { value: def.userType }));
  const role = text(await ctx.prop('role', { value: def.role, type: def.roleType }));
  const refresh = refreshOf(ctx, def);
  output(ctx, await crm.cachedUsers(ctx.conn, { type, role, refresh }), 'users');
};

const listModules: Run = async (ctx, def) => {
  output(ctx, await crm.cachedModules(ctx.conn, refreshOf(ctx, def)), 'modules');
};

const listFields: Run = async (ctx, def, input) => {
  output(ctx, await crm.cachedFields(ctx.conn, input.module, refreshOf(ctx, def)), 'fields');
};

const listLayouts: Run = async (ctx, def, input) => {
  output(ctx, await crm.cachedLayouts(ctx.conn, input.module, refreshOf(ctx, def)), 'layouts');
};

/** The runs of this file by operation. */
export const METADATA_RUNS: Record<string, Run> = {
  listUsers,
  listModules,
  listFields,
  listLayouts,
};
