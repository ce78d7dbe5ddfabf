#!/usr/bin/env node
// A stable bin path (exists before the build, so package managers can link it).
import '../dist/cli.js';
