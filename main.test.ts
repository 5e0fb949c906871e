import { MANIFEST_EXTENSION, MANIFEST_FILES } from './lib/constants';
import { renderWorkshop } from './test/support';

// Snapshots catch any change to the manifests; the rules that matter are
// asserted one by one in test/.
describe('synthesized manifests', () => {
  const manifests = renderWorkshop();

  test.each(Object.values(MANIFEST_FILES))('%s matches its snapshot', (file) => {
    const manifest = manifests.find((m) => m.file === `${file}${MANIFEST_EXTENSION}`);
    expect(manifest?.yaml).toMatchSnapshot();
  });
});
