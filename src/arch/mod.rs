//! Architecture families: the tensors a published configuration implies.
