export { AppError, type ErrorBody, isAppError } from "./app-error";
export { type ErrorHandlerOptions, errorHandler } from "./error-handler";
export { frameworkErrors } from "./framework-errors";
