#!/usr/bin/env node
// The `persian-rug` command: runs the compiled CLI (npm install builds dist/ and build/).
import { runProcess } from '../dist/cli/main.js';

await runProcess();
