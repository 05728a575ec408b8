import { sendAwsRequest } from '../aws/request';
import type { Invocation } from '../invocation';
import type { GatewayRuntime } from '../runtime';
import { invokeMock } from './mock';
import { sendBackendRequest } from './transport';

/**
 * The integration stage: sends the integration request the previous stage built and puts the
 * endpoint response on the invocation. `http` goes as built; `aws` is signed with SigV4 for its
 * service and region first (the same code for real AWS and the embedded emulators); a `mock`
 * calls nothing, its rendered template only selects the response.
 */
export async function integration(inv: Invocation, rt: GatewayRuntime): Promise<void> {
  const request = inv.integrationRequest!;
  switch (request.kind) {
    case 'mock':
      invokeMock(inv, request.body, rt.log);
      return;
    case 'http':
      inv.integrationResult = await sendBackendRequest(request.request, inv.incoming?.socket);
      inv.selection = String(inv.integrationResult.status);
      return;
    case 'aws':
      inv.integrationResult = await sendAwsRequest(
        request.request,
        await rt.credentials(),
        inv.incoming?.socket,
      );
      inv.selection = String(inv.integrationResult.status);
      return;
  }
}
