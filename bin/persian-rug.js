#!/usr/bin/env node
// The `persian-rug` command: runs the compiled CLI (the package ships dist/ and build/; a clone builds them on npm install).
import { runProcess } from '../dist/cli/main.js';

await runProcess();
