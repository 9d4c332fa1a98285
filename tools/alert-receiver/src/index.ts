export { startAlertReceiver, type ReceivedAlert } from './receiver';
