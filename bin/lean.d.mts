// Types of bin/lean.mjs (plain JavaScript: it runs before anything is compiled).
export interface LeanArgs {
  verb: 'start' | 'run'
  names: string[]
  logFormat?: string
  config?: string
}
export declare function leanArgs(argv: readonly string[]): LeanArgs | undefined
export declare function runLeanCommand(argv: readonly string[]): Promise<boolean>
