// Loaded by `waddlebot module test` (node --import): lets a module's tests import 'waddlebot' and
// 'waddlebot/testing' even where the package is not installed next to them (bin/resolve-hook.mjs).
import { register } from 'node:module'

register('./resolve-hook.mjs', import.meta.url)
