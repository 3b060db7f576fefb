from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idHasher(Argon2PasswordHasher):
    """Django's Argon2id with one lane instead of eight: the same memory (100 MB) and passes
    (2), so the same work for someone guessing passwords, but a sign-in keeps one processor
    core busy rather than all of them, and the other requests of a busy server go on
    meanwhile. Hashes made with other settings still verify and are remade at sign-in."""

    parallelism = 1
