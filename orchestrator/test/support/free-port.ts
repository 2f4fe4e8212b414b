export { freePort } from '@observastack/sut-common/launcher/free-port.ts';
