import { runValidateCommand } from '../lib/validation/command';

process.exitCode = runValidateCommand(process.argv.slice(2), { out: console.log, err: console.error });
