/** The database a command acts on, for people: the SQLite file, or the Postgres URL with its password hidden. */
export function databaseLabel(url: string): string {
  if (url.startsWith('sqlite:')) return `SQLite ${url.slice('sqlite:'.length)}`
  try {
    const u = new URL(url)
    if (u.password) u.password = '***'
    return `Postgres ${u.toString()}`
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//***@')
  }
}
