/** `npx vite build` / `npx vite` (dev server) inside hub/: the same configuration hub/build.ts uses. */
import { defineConfig } from 'vite'
import { hubViteConfig } from './build.ts'

export default defineConfig(() => hubViteConfig(`${import.meta.dirname}/dist`))
