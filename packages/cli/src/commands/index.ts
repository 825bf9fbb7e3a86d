import type { Command } from '../command.js';
import { dashboardCommand } from './dashboard.js';
import { demoCommand } from './demo.js';
import { migrateCommand } from './migrate.js';
import { serveCommand } from './serve.js';

/** Every subcommand, in the order `--help` lists them. A new command is a module here and one entry. */
export const COMMANDS: readonly Command[] = [demoCommand, migrateCommand, serveCommand, dashboardCommand];
