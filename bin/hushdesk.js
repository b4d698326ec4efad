#!/usr/bin/env node
// The built CLI (npm install builds it through the prepare script).
import { main } from '../dist/src/cli.js';

await main();
