from django.urls import path, register_converter

from . import views


class MonthConverter:
    """yyyy-mm, kept as text: the view says which months have a bulletin (404 otherwise)."""

    regex = r"\d{4}-\d{2}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(MonthConverter, "month")

app_name = "supervision"
urlpatterns = [
    path("supervision/", views.OrderListView.as_view(), name="list"),
    path("supervision/new/", views.order_new, name="new"),
    path("supervision/<int:pk>/", views.order_detail, name="detail"),
    path("supervision/<int:pk>/reply/", views.order_reply, name="reply"),
    path("supervision/<int:pk>/urge/", views.order_urge, name="urge"),
    path("supervision/<int:pk>/close/", views.order_close, name="close"),
    path("supervision/files/<int:pk>/", views.reply_file, name="file"),
    path("supervision/files/<int:pk>/thumbnail/", views.reply_thumbnail, name="thumbnail"),
    path("supervision/problems/", views.ProblemListView.as_view(), name="problems"),
    path("supervision/problems/<int:pk>/resolve/", views.problem_resolve, name="problem_resolve"),
    path("todo/", views.todo, name="todo"),
    path("bulletins/", views.bulletins, name="bulletins"),
    path("bulletins/<month:month>/", views.bulletin, name="bulletin"),
]
