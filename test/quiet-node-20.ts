/** Tests run on Node 20 too, where the AWS SDK's warning that its 2027 releases need Node 22 is noise. */
import '../cli/node-warnings.ts';
