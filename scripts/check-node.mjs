// Fails early, with one clear line, when Node is older than the project supports.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  console.error(`ObservaStack needs Node.js >= 22.12; this is ${process.versions.node}. See README.md.`);
  process.exit(1);
}
