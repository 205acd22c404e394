// Types of bin/lean.mjs (plain JavaScript: it runs before anything is compiled).
export interface LeanArgs {
  verb: 'start' | 'run'
  names: string[]
  logFormat?: string
  config?: string
}
export declare function leanArgs(argv: readonly string[]): LeanArgs | undefined
export declare function leanReady(): Promise<boolean>
export declare function installProjectLoader(): void
export declare function runLeanCommand(argv: readonly string[]): Promise<boolean>
export declare function libOclifOptions(root?: string): { root: string; pjson: Record<string, unknown> }
export declare function ensureLibManifest(options: { root: string; pjson: Record<string, unknown> }): Promise<void>
