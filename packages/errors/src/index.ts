export { AppError, type ErrorBody, isAppError } from "./app-error";
export { errorHandler } from "./error-handler";
