export { freePort } from '../../../sut/common/src/launcher/free-port.ts';
