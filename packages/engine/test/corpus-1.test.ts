import { corpusInvariants } from "./corpus-invariants";

corpusInvariants(0);
