import type {
  KyselyPlugin,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryResult,
  RootOperationNode,
  UnknownRow,
} from 'kysely';

/**
 * A Kysely plugin that records every statement a handle runs: how many, and which of them write
 * (INSERT, UPDATE, DELETE, MERGE, SELECT … FOR UPDATE/SHARE, or raw SQL that does any of these).
 * Tests wrap the app's database with it (`db.withPlugin(recorder)`) to count queries per request
 * and to prove that reads write nothing. Transactions opened on the wrapped handle are recorded too.
 */
export class StatementRecorder implements KyselyPlugin {
  statements: { kind: string; writes: boolean; text?: string }[] = [];

  reset() {
    this.statements = [];
  }

  get count() {
    return this.statements.length;
  }

  get writes() {
    return this.statements.filter((s) => s.writes);
  }

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    const node = args.node;
    let writes = ['InsertQueryNode', 'UpdateQueryNode', 'DeleteQueryNode', 'MergeQueryNode'].includes(node.kind);
    let text: string | undefined;
    if (node.kind === 'SelectQueryNode' && node.endModifiers?.some((m) => m.modifier?.startsWith('For'))) writes = true;
    if (node.kind === 'RawNode') {
      text = node.sqlFragments.join('?');
      writes =
        /\b(insert|update|delete|merge|truncate|for\s+(no\s+key\s+)?update|for\s+(key\s+)?share|nextval|setval|pg_advisory_xact_lock|pg_advisory_lock)\b/i.test(
          text,
        );
    }
    this.statements.push({ kind: node.kind, writes, text });
    return node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}
