#!/usr/bin/env node
// A committed entry point for package.json "bin": npm links a bin only if its file exists at
// install time, and dist/ exists only after the build.
import '../dist/main.js';
