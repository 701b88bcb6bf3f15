/**
 * The admin API's answers to refusals: 404 for what does not exist, 409 for conflicts, and
 * 400 naming the field for a value the store refused (the store's check is the one truth).
 */
import { ADMIN_ERROR_CODES } from '../../common/errorCodes.js';
import { ApiError } from '../../common/openaiErrors.js';
import { FieldError } from '../store/storeRows.js';
import { ConflictError, UnknownOrgError } from '../store/types.js';

export function notFound(what: string, id: string, param: string, by = 'id'): ApiError {
  return new ApiError(
    404,
    `No ${what} with ${by} '${id}'`,
    'invalid_request_error',
    'not_found',
    param,
  );
}

/**
 * Runs a store call, turning its refusals into ApiErrors: an unknown org is a 404 naming
 * `orgParam`, a conflict a 409, a RangeError a 400 naming the field it names.
 */
export async function storeCall<T>(work: () => Promise<T>, orgParam = 'orgId'): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof UnknownOrgError) throw notFound('organization', error.orgId, orgParam);
    if (error instanceof ConflictError)
      throw new ApiError(409, error.message, 'invalid_request_error', ADMIN_ERROR_CODES.conflict);
    if (error instanceof RangeError) {
      const param = error instanceof FieldError ? error.field : null;
      throw ApiError.invalidRequest(error.message, param);
    }
    throw error;
  }
}
