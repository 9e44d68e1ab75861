import { corpusInvariants } from "./corpus-invariants";

corpusInvariants(1);
