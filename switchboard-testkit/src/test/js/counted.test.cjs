// A node --test file whose outcome the environment decides, to check what NodePeers accepts.
// MODE=all: three tests run and pass. MODE=skipall: every test is skipped (the runner still exits 0).
// MODE=onlyskip: two pass, one is skipped. MODE=none: the file declares no test at all.
const test = require('node:test');
const mode = process.env.MODE;

if (mode !== 'none') {
  const skipAll = mode === 'skipall';
  test('one', { skip: skipAll }, () => {});
  test('two', { skip: skipAll }, () => {});
  test('three', { skip: skipAll || mode === 'onlyskip' }, () => {});
}
