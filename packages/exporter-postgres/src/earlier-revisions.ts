/**
 * Checksums (sha256, hex) of earlier revisions of migration files that shipped and were later
 * edited in place, before migrations became immutable once released. A database migrated with
 * one of these recorded it; it is the same migration, so it is accepted as applied instead of
 * being refused as a changed file. Files are never edited any more: this list does not grow.
 *
 * Accepting one applies nothing: the database keeps what that revision made (the edits were small:
 * an index dropped, function bodies tuned). The file is not run again because a later file may
 * have redefined what it creates, and running an earlier file after it would undo that.
 */
export const EARLIER_REVISIONS: Readonly<Record<string, readonly string[]>> = {
  '010_analytics.sql': [
    '71ebcf64bc59f82f90acdda88bb15d3d3a151a2e5992aea07d6a53fe140c53fa', // first release of the analytics
    '12b7dac19b8c59dcdb6f7ef35bf448e650460e8ea309dd44581ecfd2cef6c617', // before its covering (started_at) index was dropped
  ],
  '011_alerts.sql': [
    '4fb74fa12ccc202de656701657253855b6ddec71af65c00e13eff19e47dd0be8', // before rules were evaluated in PL/pgSQL
  ],
  '021_supabase_rls.sql': [
    '148a7705299df1a32a4a731f64174cb03160b625fd7b638ecad291ac21c0fd8c', // first release of the Supabase policies
  ],
  '033_supabase_readers.sql': [
    '42bb588fc33b26bb59d309b5eb4212d6343f2dfc9552a322a4ae5a0ffc5cb39b', // before it revoked every function from PUBLIC
  ],
};

/** True when `checksum` is a known earlier revision of the migration `name`. */
export function isEarlierRevision(name: string, checksum: string): boolean {
  return EARLIER_REVISIONS[name]?.includes(checksum) ?? false;
}
