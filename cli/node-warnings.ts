// The AWS SDK warns on every run that its 2027 releases will need Node 22; this project supports
// Node 20, so that one warning is noise here. Every other warning still prints.
process.removeAllListeners('warning');
process.on('warning', (w) => {
  if (w.name === 'NodeVersionSupportWarning' || w.message.startsWith('NodeVersionSupportWarning')) return;
  process.stderr.write(`(node) ${w.name}: ${w.message}\n`);
});
