//! An in-process emulator of the Administration API and its token service.
