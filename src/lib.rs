pub mod addr;
pub mod index;
