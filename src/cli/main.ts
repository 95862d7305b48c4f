#!/usr/bin/env node
import { runCli } from './run.js';

// exitCode rather than exit(): stdout may still be flushing to a pipe.
process.exitCode = await runCli(process.argv.slice(2));
