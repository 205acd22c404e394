// Types of bin/build-lib.mjs (plain JavaScript: it runs before anything is compiled).
export declare const ROOT: string
export declare function libIsFresh(root?: string): boolean
export declare function buildLib(root: string, outDir: string): Promise<number>
export type LibResult = { readonly ok: true; readonly built: boolean } | { readonly ok: false; readonly reason: string }
export declare function ensureLib(root?: string, options?: { readonly force?: boolean }): Promise<LibResult>
